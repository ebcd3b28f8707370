"""The IPython glue: the %sms magic, its grammar, settings and the kernel's session. Thin."""
