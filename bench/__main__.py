"""`python -m bench [--only W2] [--db sqlite|postgres] [--quick|--smoke]`."""

import sys

from .runner import main

sys.exit(main())
