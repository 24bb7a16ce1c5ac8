"""`python -m litsok` runs the command line."""

from .cli import main

main()
