"""smsnb: send test SMS through Sinch from IPython/Jupyter, and fix its errors in place.

``%load_ext smsnb`` registers ``%sms``/``%%sms``. This module stays light: the HTTP client,
widgets and phone-number data load after it, in the background, so loading the extension is fast
and the first card needs not wait for them.
"""
from ._version import __version__

__all__ = ["__version__", "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython):
    from .ipython import warm_up
    from .ipython.magic import SmsMagic

    ipython.register_magics(SmsMagic(ipython))
    warm_up.start()  # what the first %sms needs, imported while the user types it


def unload_ipython_extension(ipython):
    from .ipython.magic import unload

    unload(ipython)
