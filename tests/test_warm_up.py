"""Loading smsnb stays light, and what the first %sms needs is imported in the background."""
import subprocess
import sys

SCRIPT = """
import sys, threading
from IPython.testing.globalipapp import start_ipython
ip = start_ipython()
heavy = ("smsnb.sinch.client", "ipywidgets", "smsnb.sandbox", "babel")
before = {name for name in heavy if name in sys.modules}
ip.run_line_magic("load_ext", "smsnb")
warming = [t for t in threading.enumerate() if t.name == "smsnb-warm-up"]
print("thread", len(warming))
for thread in warming:
    thread.join(30)
print("loaded", " ".join(sorted(name for name in heavy if name in sys.modules and name not in before)))
"""


def test_the_first_sends_modules_are_imported_after_the_load_in_the_background():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
                         timeout=60).stdout.splitlines()
    assert out[0] == "thread 1"
    assert out[1].split()[1:] == ["babel", "ipywidgets", "smsnb.sandbox", "smsnb.sinch.client"]
