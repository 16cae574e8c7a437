"""Demo and bench data: `flask tracker seed-demo` and `flask tracker bench-seed`."""
