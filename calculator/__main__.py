"""`python -m calculator ...`: see calculator.cli."""

import sys

from calculator.cli import main

if __name__ == "__main__":
    sys.exit(main())
