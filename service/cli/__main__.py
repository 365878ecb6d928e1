"""`python -m service.cli`: the same as the closeness console script."""

from service.cli import main

main()
