"""An exception raised while handling another ("from" and implicit
context): the program ends with a chain of three."""


class ConfigError(Exception):
    pass


def read_port(settings):
    port = settings["port"]
    return int(port)


def load(settings):
    try:
        return read_port(settings)
    except KeyError as e:
        missing = e.args[0]
        raise ConfigError("no " + missing) from e


def start(settings):
    try:
        load(settings)
    except ConfigError:
        detail = "while starting"
        raise RuntimeError("cannot start: " + detail)


start({"host": "localhost"})
