"""Builds eval/dataset.json: multi-session conversations with labelled evidence turns.

Deterministic (fixed seed), so the committed JSON can be regenerated and diffed. Each
simulated user talks to an assistant over several sessions weeks apart. Personal facts are
stated once (some change later), among chit-chat and near-miss distractors (facts about
other people phrased like the user's own). Questions come in six categories:

- single-hop: one evidence turn, worded close to it;
- paraphrased: one evidence turn, worded with few or no shared content words;
- multi-hop: needs two turns from different sessions;
- temporal: a fact that changed; "now" needs the later turn, "before" the earlier one;
- adversarial: a near-miss distractor about someone else competes with the evidence;
- unanswerable: never mentioned; no evidence (excluded from recall, reported apart).

Run: uv run python eval/build_dataset.py
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20240611
USERS = 16
SESSIONS = 6
FILLER_PER_SESSION = 18
START = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
OUT = Path(__file__).with_name("dataset.json")

NAMES = [
    "Anna",
    "Marco",
    "Priya",
    "Tom",
    "Yuki",
    "Lena",
    "Omar",
    "Sofia",
    "Jonas",
    "Mei",
    "Carlos",
    "Ingrid",
    "Ravi",
    "Chloe",
    "Felix",
    "Amara",
    "Hugo",
    "Nadia",
    "Pavel",
    "Zoe",
]
CITIES = [
    "Lisbon",
    "Toronto",
    "Kyoto",
    "Nairobi",
    "Edinburgh",
    "Valparaiso",
    "Krakow",
    "Melbourne",
    "Oslo",
    "Marseille",
    "Austin",
    "Hanoi",
    "Bologna",
    "Tbilisi",
    "Quebec",
]
COMPANIES = [
    "Northwind Logistics",
    "Brightline Health",
    "Copperleaf Games",
    "Tidewater Bank",
    "Helix Robotics",
    "Saffron Foods",
    "Bluepeak Energy",
    "Quillstone Press",
]
JOBS = [
    "nurse",
    "data analyst",
    "carpenter",
    "product designer",
    "physics teacher",
    "sous-chef",
    "civil engineer",
    "veterinarian",
    "translator",
    "electrician",
]
PETS = [
    ("dog", "puppy"),
    ("cat", "kitten"),
    ("parrot", "bird"),
    ("rabbit", "bunny"),
    ("tortoise", "reptile"),
]
PET_NAMES = ["Biscuit", "Pepper", "Mochi", "Rufus", "Clementine", "Ziggy", "Nacho", "Olive"]
INSTRUMENTS = ["cello", "ukulele", "drums", "violin", "saxophone", "piano", "banjo"]
LANGUAGES = ["Portuguese", "Japanese", "Swahili", "Korean", "Italian", "Polish", "Greek"]
ALLERGIES = ["peanuts", "shellfish", "penicillin", "cats", "pollen", "sesame", "latex"]
FOODS = [
    "mushroom risotto",
    "pho",
    "lamb tagine",
    "pierogi",
    "green curry",
    "paella",
    "shakshuka",
    "ramen",
]
SPORTS = ["rock climbing", "rowing", "table tennis", "trail running", "fencing", "judo"]
BOOKS = [
    "a novel about a lighthouse keeper",
    "a biography of Ada Lovelace",
    "a history of the Silk Road",
    "a sci-fi trilogy set on Europa",
    "a memoir by a mountain guide",
    "a book on Roman architecture",
]
CARS = [
    "a used Volvo estate",
    "a red Fiat Panda",
    "an electric Hyundai",
    "a Toyota pickup",
    "a second-hand Mini",
]
RELATIVES = ["sister", "brother", "cousin", "aunt", "uncle"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MONTHS = ["March", "April", "May", "June", "September", "October", "November"]

FILLER_USER = [
    "Can you suggest a quick dinner I could make with {food2} tonight?",
    "What's a good way to stay focused when working from home?",
    "I watched a documentary about octopuses yesterday, fascinating stuff.",
    "The weather has been grey all week, I miss the sun.",
    "Could you help me write a polite email declining a meeting?",
    "Any tips for sleeping better? I keep waking up at 4am.",
    "I'm thinking about repainting the living room, maybe a soft green.",
    "Remind me how compound interest works?",
    "What are some good podcasts about history?",
    "My phone battery drains so fast lately.",
    "I had a long day, lots of meetings.",
    "How do I remove a coffee stain from a white shirt?",
    "Tell me a fun fact about space.",
    "I need a birthday gift idea for a coworker who likes tea.",
    "Can you explain what a Roth IRA is?",
    "I tried a new bakery near the station, their croissants are great.",
    "What's the difference between baking soda and baking powder?",
    "I should really clean out my closet this weekend.",
    "Is it better to stretch before or after a run?",
    "Recommend me a board game for four players.",
    "The traffic this morning was terrible.",
    "How long should I steep green tea?",
    "I'm trying to drink more water, any tricks?",
    "What's a good houseplant for a dark room?",
    "I've been learning to make sourdough, it's harder than it looks.",
    "Can you summarise the plot of Hamlet in two sentences?",
    "My neighbour's kids were loud again last night.",
    "I want to plan a picnic, what should I bring?",
    "What's the best way to learn keyboard shortcuts?",
    "I'm considering a standing desk, are they worth it?",
    "We had a fire drill at the office today.",
    "Do you know any good stretches for a stiff neck?",
    "I finally fixed the squeaky door hinge.",
    "What are the rules of cricket, briefly?",
    "I'm so tired of rainy Mondays.",
    "Suggest a name for a fantasy football team.",
    "I'd like to visit {city2} someday, what's it known for?",
    "How do vaccines train the immune system?",
    "My friend recommended a series about chefs, have you heard of it?",
    "What should I keep in a basic first aid kit?",
]
FILLER_ASSISTANT = [
    "Sure, happy to help with that.",
    "That sounds like a good plan. Let me know if you want more ideas.",
    "Here are a few suggestions you might find useful.",
    "Great question! In short, it depends on your situation.",
    "I hope the rest of your week goes smoothly.",
    "That's interesting, thanks for sharing.",
    "Of course. Here's a simple way to think about it.",
    "Good luck with it, tell me how it goes.",
]


@dataclass
class Turn:
    turn_id: str
    role: str
    content: str


@dataclass
class Session:
    session_id: str
    started_at: datetime
    turns: list[Turn] = field(default_factory=list)


@dataclass
class Question:
    question: str
    category: str
    evidence: list[str]


@dataclass
class Planted:
    """A user turn placed in a given session; its id is filled in when the session is laid out."""

    session: int
    text: str
    turn_id: str = ""


class UserBuilder:
    def __init__(self, index: int, rng: random.Random) -> None:
        self.user_id = f"user-{index:02d}"
        self.rng = rng
        self.planted: list[Planted] = []
        self.questions: list[tuple[str, str, list[Planted]]] = []

    def plant(self, session: int, text: str) -> Planted:
        planted = Planted(session, text)
        self.planted.append(planted)
        return planted

    def ask(self, question: str, category: str, *evidence: Planted) -> None:
        self.questions.append((question, category, list(evidence)))


def pick(rng: random.Random, pool: list[str], taken: set[str]) -> str:
    choice = rng.choice([p for p in pool if p not in taken])
    taken.add(choice)
    return choice


def plan_user(user: UserBuilder) -> None:
    rng = user.rng
    taken: set[str] = set()
    s = lambda: rng.randrange(SESSIONS)  # noqa: E731 - a tiny local helper

    # Pet: single-hop, paraphrase, and a near-miss about the neighbour's pet (adversarial).
    kind, young = rng.choice(PETS)
    pet = pick(rng, PET_NAMES, taken)
    other_pet = pick(rng, PET_NAMES, taken)
    pet_turn = user.plant(s(), f"I adopted a {young} last weekend, we named the {kind} {pet}.")
    user.plant(s(), f"My neighbour's {kind} is called {other_pet}, it barks at everything.")
    user.ask(f"What is the name of my {kind}?", "adversarial", pet_turn)
    user.ask("What did we call the animal we brought home?", "paraphrased", pet_turn)

    # Job that changes: temporal now/before, plus a direct question.
    job1, job2 = rng.sample(JOBS, 2)
    company1, company2 = rng.sample(COMPANIES, 2)
    first_job = user.plant(rng.randrange(0, 2), f"I work as a {job1} at {company1}.")
    new_job = user.plant(
        rng.randrange(3, SESSIONS),
        f"Big news: I left {company1} and I'm starting as a {job2} at {company2} on Monday!",
    )
    user.ask("Where do I work now?", "temporal", new_job)
    user.ask(f"Which company did I work for before {company2}?", "temporal", first_job)
    user.ask("What is my current occupation?", "paraphrased", new_job)

    # Relative: name in one session, city in another (multi-hop); near-miss colleague.
    relative = rng.choice(RELATIVES)
    rel_name = pick(rng, NAMES, taken)
    colleague = pick(rng, NAMES, taken)
    city1, city2 = rng.sample(CITIES, 2)
    named = user.plant(
        rng.randrange(0, 3), f"My {relative} {rel_name} is coming to dinner on Sunday."
    )
    moved = user.plant(
        rng.randrange(3, SESSIONS), f"{rel_name} just got a job offer and is relocating to {city1}."
    )
    user.plant(s(), f"My colleague {colleague} moved to {city2} last year and loves it.")
    user.ask(f"Which city is my {relative} moving to?", "multi-hop", named, moved)
    user.ask(f"Where is {rel_name} relocating?", "single-hop", moved)

    # Home city that changes: temporal.
    home1, home2 = rng.sample([c for c in CITIES if c not in (city1, city2)], 2)
    lived = user.plant(0, f"I've lived in {home1} for about six years now.")
    moved_home = user.plant(
        rng.randrange(3, SESSIONS),
        f"We finally moved into our new flat in {home2}, boxes everywhere.",
    )
    user.ask("Which city do I live in at the moment?", "temporal", moved_home)
    user.ask("Where did I live before my latest move?", "temporal", lived)

    # Allergy: direct and paraphrase.
    allergy = rng.choice(ALLERGIES)
    allergic = user.plant(s(), f"Just so you know, I'm seriously allergic to {allergy}.")
    user.ask("What am I allergic to?", "single-hop", allergic)
    user.ask(
        "Is there anything that gives me a bad reaction I should avoid?", "paraphrased", allergic
    )

    # Instrument and language: single-hop and paraphrase.
    instrument = rng.choice(INSTRUMENTS)
    language = rng.choice(LANGUAGES)
    plays = user.plant(s(), f"I started taking {instrument} lessons on Wednesday evenings.")
    learns = user.plant(s(), f"I've been practising {language} every morning with an app.")
    user.ask("Which instrument am I learning?", "single-hop", plays)
    user.ask("What do I do on Wednesday evenings?", "single-hop", plays)
    user.ask("Which foreign tongue am I studying?", "paraphrased", learns)

    # Trip with a pet sitter: multi-hop across sessions.
    trip_city = rng.choice([c for c in CITIES if c not in (city1, city2, home1, home2)])
    month = rng.choice(MONTHS)
    sitter = pick(rng, NAMES, taken)
    trip = user.plant(
        rng.randrange(0, 3), f"I booked flights to {trip_city} for a week in {month}."
    )
    sitting = user.plant(
        rng.randrange(3, SESSIONS), f"{sitter} agreed to look after {pet} while I'm travelling."
    )
    user.ask(
        f"Who is taking care of my {kind} during my {trip_city} trip?", "multi-hop", trip, sitting
    )
    user.ask("When am I going on holiday?", "paraphrased", trip)

    # Food, sport, book, car: a mix.
    food = rng.choice(FOODS)
    sport = rng.choice(SPORTS)
    book = rng.choice(BOOKS)
    car = rng.choice(CARS)
    weekday = rng.choice(WEEKDAYS)
    likes = user.plant(s(), f"My all-time favourite dish is {food}, I could eat it every day.")
    trains = user.plant(s(), f"I do {sport} every {weekday} with a club near my office.")
    reads = user.plant(s(), f"I'm currently reading {book}.")
    bought = user.plant(s(), f"We bought {car} so we can drive to the mountains.")
    user.ask("What's my favourite food?", "single-hop", likes)
    user.ask(f"Which sport do I practise on {weekday}s?", "single-hop", trains)
    user.ask("What book am I in the middle of?", "paraphrased", reads)
    user.ask("What vehicle did we get?", "paraphrased", bought)

    # Unanswerable: plausible questions about things never said.
    never = [
        "What is the name of my horse?",
        "Which university did my grandfather attend?",
        "What colour is my boat?",
        "How many tattoos do I have?",
    ]
    for question in rng.sample(never, 2):
        user.ask(question, "unanswerable")


def lay_out(user: UserBuilder, filler_rng: random.Random) -> list[Session]:
    sessions = []
    for number in range(SESSIONS):
        started = START + timedelta(days=17 * number + filler_rng.randrange(0, 5))
        session = Session(f"{user.user_id}-s{number + 1}", started)
        user_turns: list[str | Planted] = [p for p in user.planted if p.session == number]
        for _ in range(FILLER_PER_SESSION):
            text = filler_rng.choice(FILLER_USER).format(
                food2=filler_rng.choice(FOODS), city2=filler_rng.choice(CITIES)
            )
            user_turns.append(text)
        filler_rng.shuffle(user_turns)
        for item in user_turns:
            turn_id = f"{session.session_id}-t{len(session.turns) + 1}"
            text = item.text if isinstance(item, Planted) else item
            if isinstance(item, Planted):
                item.turn_id = turn_id
            session.turns.append(Turn(turn_id, "user", text))
            reply_id = f"{session.session_id}-t{len(session.turns) + 1}"
            session.turns.append(Turn(reply_id, "assistant", filler_rng.choice(FILLER_ASSISTANT)))
        sessions.append(session)
    return sessions


def main() -> None:
    rng = random.Random(SEED)
    conversations: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    for index in range(USERS):
        user = UserBuilder(index, random.Random(rng.random()))
        plan_user(user)
        sessions = lay_out(user, random.Random(rng.random()))
        asked_at = sessions[-1].started_at + timedelta(days=3)
        conversations.append(
            {
                "user_id": user.user_id,
                "sessions": [
                    {
                        "session_id": session.session_id,
                        "started_at": session.started_at.isoformat(),
                        "turns": [t.__dict__ for t in session.turns],
                    }
                    for session in sessions
                ],
            }
        )
        for number, (question, category, evidence) in enumerate(user.questions, start=1):
            questions.append(
                {
                    "question_id": f"{user.user_id}-q{number}",
                    "user_id": user.user_id,
                    "question": question,
                    "category": category,
                    "evidence": [e.turn_id for e in evidence],
                    "asked_at": asked_at.isoformat(),
                }
            )
    dataset = {
        "version": 1,
        "description": "memgrid retrieval eval: synthetic multi-session conversations with "
        "labelled evidence turns; see eval/build_dataset.py",
        "conversations": conversations,
        "questions": questions,
    }
    OUT.write_text(json.dumps(dataset, indent=1, ensure_ascii=False) + "\n")
    by_category: dict[str, int] = {}
    for q in questions:
        by_category[q["category"]] = by_category.get(q["category"], 0) + 1
    turns = sum(len(s["turns"]) for c in conversations for s in c["sessions"])
    print(f"wrote {OUT}: {len(questions)} questions {by_category}, {turns} turns")


if __name__ == "__main__":
    main()
