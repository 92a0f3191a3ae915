"""A program whose functions call into a helper module next to it."""
import cpcorpus_helper


def _never():
    pass


def local_work(x):
    return cpcorpus_helper.scale(x) + 1        # @local


def main():
    v = local_work(2)                          # @main
    shape = cpcorpus_helper.Shape(3)           # @main_shape
    area = shape.area()                        # @main_area
    return v + area                            # @main_ret


main()
