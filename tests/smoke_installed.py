"""Run by `make package` inside a fresh virtual environment that holds only the built wheel and its
runtime dependencies: what a user gets from `pip install smsnb`. Not collected by pytest."""
import subprocess
import sys
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell

import smsnb

installed = Path(smsnb.__file__).resolve()
assert "site-packages" in installed.parts, f"smsnb imported from the checkout, not the wheel: {installed}"
assert (installed.parent / "py.typed").exists(), "py.typed is missing from the wheel"

shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "smsnb")
result = shell.run_line_magic("sms", '+46701234567 -m "smoke test of the installed wheel"')
text = result._repr_mimebundle_()["text/plain"]
assert result.ok and text.startswith("SANDBOX · 201"), text
shell.run_line_magic("unload_ext", "smsnb")

help_text = subprocess.run([sys.executable, "-m", "smsnb.sandbox", "--help"], capture_output=True, text=True,
                           check=True).stdout
assert "sandbox" in help_text.lower(), help_text
script = Path(sys.executable).with_name("smsnb-sandbox")  # the console script, beside this python
script_help = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
assert "--service-plan-id" in script_help, script_help
print(f"smsnb {smsnb.__version__} from the wheel: %load_ext, a sandbox send, python -m smsnb.sandbox and "
      "smsnb-sandbox work")
