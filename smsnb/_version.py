"""The version of smsnb, in one place: the package, the wheel and the client's User-Agent read it."""
__version__ = "0.1.0"
