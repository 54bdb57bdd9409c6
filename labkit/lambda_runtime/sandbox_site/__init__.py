"""Put on the function process's PYTHONPATH: its ``sitecustomize`` fences the process in to loopback."""
