"""gc.freeze() after building a cache: the frozen objects move to the
permanent generation, out of gc.get_objects()' sight."""
import gc


class Cached:
    pass


class Fresh:
    pass


CACHE = [Cached() for _ in range(5000)]
TABLE = {"cache": CACHE}
gc.freeze()
FRESH = [Fresh() for _ in range(10)]
frozen_count = gc.get_freeze_count()
seen = sum(1 for o in gc.get_objects() if type(o) is Cached)
stop = 1                                            # line 20
