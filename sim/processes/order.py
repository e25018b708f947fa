"""The order the monthly processes run in: a new process is one line here.

Progression runs before intake so that pipeline arrivals (e.g. foundation doctors choosing
psychiatry in August) count against the places of the stage they enter that month; retirement
runs after the month's hours reviews; joiners come last, to fill the vacancies the month left.
``sim.model`` says what each does.
"""

from .exits import Attrition, Leaving, Retirement
from .hours import Hours
from .intake import Intake
from .joiners import Joiners
from .progression import Progression
from .returning import Returning

STEP_ORDER = (Progression, Intake, Attrition, Leaving, Hours, Retirement, Returning, Joiners)
