"""smsnb: send test SMS through Sinch from IPython/Jupyter, and fix its errors in place.

``%load_ext smsnb`` registers ``%sms``/``%%sms``. This module stays light: the HTTP client,
widgets and phone-number data load on first use, so loading the extension is fast.
"""
__version__ = "0.1.0"


def load_ipython_extension(ipython):
    from .magic import SmsMagic

    ipython.register_magics(SmsMagic(ipython))


def unload_ipython_extension(ipython):
    from .magic import unload

    unload(ipython)
