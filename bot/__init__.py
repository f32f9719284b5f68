"""bot"""

import gc as _gc
import os as _os
import sys as _sys

# Started as the `mttq-bot` command: start-up builds ~150,000 objects that live as long as the process
# (SQLAlchemy, pydantic and python-telegram-bot classes, the models), and the cyclic collector walking them
# again and again is ~15 % of the import time. It is switched back on, after freezing those objects, once
# the command is set up (bot.cli.start_collecting). Imported any other way (tests, tools), nothing changes.
if _os.path.basename((getattr(_sys, "argv", None) or [""])[0]) == "mttq-bot":
    _gc.disable()
