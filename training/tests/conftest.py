import os
import sys

# Make `cromwell_train` importable when pytest runs from the repository root or from training/.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
