"""`python -m bench`: all three ingest benches, one table (bench/run_all.py)."""

import sys

from bench.run_all import main

sys.exit(main())
