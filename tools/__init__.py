"""Developer tooling: start the stack, evaluate, benchmark."""
