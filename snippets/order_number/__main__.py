"""Run the extractor from the command line.

``python snippets/order_number [--json] [PATH|-]`` runs this file as a plain
script, outside its package, so the package's relative imports would fail:
the folder itself (which Python put first on sys.path) is replaced by its
parent, and the package is imported by name. ``python -m order_number``
(with ``snippets`` on the path) arrives here inside the package already.
"""

import os
import sys

if not __package__:
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from order_number.cli import main  # noqa: E402 - after the path is set

sys.exit(main())
