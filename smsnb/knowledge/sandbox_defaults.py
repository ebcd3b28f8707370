"""The sandbox's documented defaults, which are not secrets: what it answers to when started
without options (`smsnb-sandbox`, `Sandbox()`). Here, below both, so that the sandbox serves them
and a card can name them in the code it gives to copy without importing the sandbox."""
SERVICE_PLAN_ID = "smsnb-sandbox"
API_TOKEN = "sandbox-token"
