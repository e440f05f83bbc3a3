"""Built-in word lists for invented pupils, streets and schools: common names, no real people."""

from __future__ import annotations


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


BOYS = _words(
    "Oliver Harry Jack George Noah Charlie Jacob Alfie Freddie Oscar Leo Archie Joshua James "
    "Thomas Henry William Max Lucas Ethan Mohammed Muhammad Adam Ibrahim Yusuf Ayaan Zain Ali "
    "Hamza Omar Arjun Harvey Kai Tyler Reggie Louie Ryan Daniel Samuel Joseph Kacper Jakub "
    "Tobias Isaac Jayden Kofi Elijah Theo Logan Mason"
)

GIRLS = _words(
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Poppy Evie Ella "
    "Sophie Emily Daisy Ruby Chloe Maryam Aisha Fatima Zara Hafsa Inaya Amira Hannah Layla "
    "Eva Priya Simran Jasmine Leah Megan Holly Millie Erin Zoë Niamh Zuzanna Maja Amara Nia "
    "Esme Harper Willow Phoebe Scarlett Lacey"
)

SURNAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan "
    "Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb "
    "Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes "
    "Knight Lloyd Butler Russell Kaur Ahmed Akhtar Mahmood Kowalski Nowak Okafor Mensah "
    "O'Brien Grant"
)

PLACES = _words(
    (
        "Oakfield|Brookside|Hollybank|Mill Lane|Ashmore|Beechwood|Cherry Tree|Elmhurst|Fernbrook|"
        "Greenacre|Hawthorn|Kingsbury|Larkfield|Meadowview|Northgate|Orchard|Parkside|Queensway|"
        "Redhill|Springfield|Stonecross|Thornbridge|Underhill|Valley Road|Westcroft|Willowdale|"
        "Yewtree|Alderbrook|Birchfield|Canal Side|Dovecote|Foxhollow|Glebe|Heathfield|Ironbridge|"
        "Juniper|Kestrel|Lime Grove|Maple|Nettleton|Old Forge|Pinfold|Riverside|Sandbrook|"
        "Tudor Grange|Victoria|Wharf Lane|Barley Mow|Chapel Street|Coppice|Eastfield|Forge Mill|"
        "Harden|Lodge Farm|Moorcroft|Priory|Rowley View|Sycamore|Tame Valley|Woodlands"
    ),
    "|",
)

PLACE_SUFFIXES = ("", " Park", " Green", " Hill", " Vale", " Heath", " Manor", " Fields", " End")

SAINTS = ("St Mary's", "St Peter's", "St Chad's", "St Patrick's", "St Joseph's", "Holy Trinity")

STREET_ENDINGS = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Grove", "Crescent", "Way")

# Postcode areas and names by West Midlands LA number (docs/domain.md#codes).
POSTCODE_AREAS = {
    "330": "B",
    "331": "CV",
    "332": "DY",
    "333": "B",
    "334": "B",
    "335": "WS",
    "336": "WV",
}

LA_NAMES = {
    "330": "Birmingham",
    "331": "Coventry",
    "332": "Dudley",
    "333": "Sandwell",
    "334": "Solihull",
    "335": "Walsall",
    "336": "Wolverhampton",
}

# LAs that children moving in come from (their UPNs carry these numbers).
OTHER_LAS = ("330", "331", "332", "333", "334", "860", "885", "937", "894", "202")
