"""The words synthetic data is made of: names, places, organisations and plan wording.

Kept apart from ``actions.dataset`` so that the generator reads as steps. The order of each
list is part of the data: the generator draws from them by position with a seeded random
number generator, so reordering or editing a list changes every dataset made with a seed.
"""

from actions.models import Direction

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Daniel",
    "Elif",
    "Farah",
    "George",
    "Hannah",
    "Imran",
    "Jade",
    "Kai",
    "Leah",
    "Mohammed",
    "Nia",
    "Oliver",
    "Priya",
    "Rhys",
    "Sophie",
    "Tomasz",
    "Uma",
    "Victor",
    "Wendy",
    "Yusuf",
    "Zara",
    "Aled",
    "Bethan",
    "Callum",
    "Dev",
    "Erin",
    "Fatima",
]
LAST_NAMES = [
    "Ahmed",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Vaughan",
    "Williams",
    "Young",
    "Zhang",
]
AREA_STARTS = [
    "North",
    "South",
    "East",
    "West",
    "Upper",
    "Lower",
    "Great",
    "Little",
    "Kings",
    "Queens",
    "High",
    "Long",
    "Broad",
    "Old",
    "New",
]
AREA_ENDS = [
    "shire",
    "borough",
    "field",
    "ford",
    "ton",
    "ham",
    "by",
    "wick",
    "mouth",
    "dale",
    "bridge",
    "port",
]
ORGANISATIONS = (
    (0.45, "{area} Council", ("SEND Officer", "EHC Coordinator", "Inclusion Manager")),
    (0.25, "NHS {area} ICB", ("Commissioner", "Designated Clinical Officer", "Therapy Lead")),
    (0.20, "{area} Academy Trust", ("SENCO", "Headteacher", "Deputy Headteacher")),
    (0.10, "{area} Parent Carer Forum", ("Co-chair", "Participation Lead", "Volunteer")),
)
ACTION_VERBS = (
    "Recruit",
    "Review",
    "Publish",
    "Train",
    "Commission",
    "Co-produce",
    "Reduce",
    "Improve",
)
ACTION_OBJECTS = (
    "EHC coordinators for the assessment team",
    "the neurodevelopmental assessment pathway",
    "the Local Offer website",
    "SENCOs in the graduated approach",
    "speech and language therapy capacity",
    "waiting times for health advice",
    "the quality assurance of EHC plans",
    "preparation for adulthood reviews",
)
RECOMMENDATION_TITLES = (
    "Improve the timeliness and quality of EHC plans",
    "Reduce waits for neurodevelopmental assessment",
    "Strengthen inclusion in mainstream schools",
    "Improve co-production with children, young people and families",
    "Improve preparation for adulthood",
    "Strengthen joint commissioning between the council and the NHS",
)
MEASURE_NAMES = (
    ("EHC plans issued within 20 weeks", "%", Direction.HIGHER_IS_BETTER),
    ("Average wait for autism assessment", "weeks", Direction.LOWER_IS_BETTER),
    ("Health advice returned within six weeks", "%", Direction.HIGHER_IS_BETTER),
    ("Suspensions of pupils on SEN support (per 100)", "per 100", Direction.LOWER_IS_BETTER),
)
AMBER_NOTES = ("Recruitment slower than planned.", "Partner sign-off still pending.")
RED_NOTES = ("Funding not yet agreed; the due date will be missed.", "Key post vacant.")
