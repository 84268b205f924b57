"""`python -m hue_dx` runs the same command as `hue-dx`."""

import sys

from .cli import main

sys.exit(main())
