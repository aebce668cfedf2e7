import sys

from loyalty.cli import main

sys.exit(main())
