"""Built-in fallbacks: small samples generated or written by this project, deterministic.

They stand in for a real dataset when none is found, so the tour runs on a fresh machine. Each
loader labels them "built-in sample standing in for <title>". Where an installed package carries
real data (scikit-learn's digits and breast cancer; NumPy's and scikit-learn's docstrings, which
are real English prose), that is used instead of invented data.
"""

from __future__ import annotations

import functools
import inspect
import re

import numpy as np

# ---- SMS --------------------------------------------------------------------------------------

_NAMES = ["Sam", "Alex", "Jo", "Priya", "Tom", "Mia", "Leo", "Ana", "Ben", "Zoe", "Kai", "Eva"]
_HAM = [
    "Hey {name}, are we still on for {activity} {when}?",
    "I'll be home by {hour}, want me to pick up some {food}?",
    "Sorry, running {n} min late. Start without me",
    "Can you send me the {thing} from {day}?",
    "Happy birthday {name}! Have a lovely day x",
    "ok see you at the {place} then",
    "Did you watch {show} last night? That ending!",
    "Call me when you get this, nothing urgent",
    "Thanks for the {thing}, really appreciated it",
    "The meeting moved to {hour}, same room",
    "lol {name} that is so funny",
    "On my way, be there in {n}",
    "What time does the {place} close on {day}?",
    "Don't forget to {errand} before {when}",
    "Mum says dinner is at {hour}. Bring {food}?",
    "Got the tickets for {show}! {day} at {hour}",
    "I'm at the {place}, where are you?",
    "Can't talk now, in a meeting. Text you later",
    "Good luck with the exam {when}, you'll be fine",
    "Is the {thing} still at your place? Need it {when}",
]
_SPAM = [
    "WINNER!! You have been selected to receive a £{amount} prize. Call {phone} now to claim. T&C apply",
    "URGENT! Your mobile number has won £{amount} cash. To claim text CLAIM to {short} now",
    "FREE entry into our weekly draw to win a {prize}! Text WIN to {short}. 18+ only, £1.50/msg",
    "Congratulations! You've been chosen for a FREE {prize}. Reply YES to {short}. Std rates apply",
    "Your account has been suspended. Verify your details now at {url} to avoid closure",
    "You have 1 new voicemail. Please call {phone} to listen. Calls cost 25p/min",
    "Claim your £{amount} shopping voucher today! Visit {url} before midnight. Limited offer",
    "Hot singles in your area want to chat! Text DATE to {short}. £3/week, stop to end",
    "Final notice: you are owed £{amount} in compensation. Reply CLAIM or call {phone} free",
    "Your {prize} is waiting! Collect it from {url} with code {code}. Expires {when}",
]
_FILL = {
    "activity": ["lunch", "the gym", "football", "coffee", "the cinema", "drinks"],
    "when": ["tomorrow", "tonight", "later", "on Friday", "this weekend", "next week"],
    "hour": ["6", "7pm", "half 8", "noon", "5:30", "9"],
    "food": ["milk", "bread", "pizza", "curry", "eggs", "wine"],
    "n": ["5", "10", "15", "20"],
    "thing": ["photos", "notes", "charger", "book", "address", "slides"],
    "day": ["Monday", "Tuesday", "Saturday", "Sunday", "yesterday"],
    "place": ["station", "pub", "library", "shop", "park", "office"],
    "show": ["the match", "that film", "the final", "the new series"],
    "errand": ["call the bank", "feed the cat", "book the table", "pay the rent"],
    "amount": ["500", "1000", "2000", "250", "5000"],
    "phone": ["09061701461", "08718726270", "09066364589", "08002986030"],
    "short": ["87121", "85023", "80062", "69669"],
    "prize": ["iPhone", "holiday to Spain", "camera phone", "gift card", "laptop"],
    "url": ["www.win-now.co.uk", "secure-verify.net/login", "www.claimprize.com"],
    "code": ["X29K", "WIN77", "PZ4Q"],
}


def _fill(template: str, rng: np.random.Generator) -> str:
    def pick(m: re.Match[str]) -> str:
        key = m.group(1)
        options = _NAMES if key == "name" else _FILL[key]
        return str(options[rng.integers(len(options))])

    return re.sub(r"\{(\w+)\}", pick, template)


def sms_messages(
    n: int = 500, spam_fraction: float = 0.2, seed: int = 0
) -> tuple[list[str], np.ndarray]:
    """`n` SMS-like messages from templates, about `spam_fraction` spam: (texts, y with 1 = spam)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < spam_fraction).astype(np.int64)
    texts = [_fill(str(rng.choice(_SPAM if s else _HAM)), rng) for s in y]
    return texts, y


def mail(text: str, spam: bool, i: int) -> bytes:
    """An RFC 822 message around an SMS-like text (spams as HTML, base64), for the mail fallback."""
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "offers@win-now.example" if spam else f"friend{i % 7}@example.org"
    msg["To"] = "you@example.org"
    msg["Subject"] = text.split(".")[0][:60] if spam else text[:40]
    msg["Message-ID"] = f"<{i}@mltutorial.example>"
    if spam:
        msg.set_content(text, cte="quoted-printable")
        html = f"<html><body><p><b>{text}</b></p><p>Unsubscribe &amp; more</p></body></html>"
        msg.add_alternative(html, subtype="html", cte="base64")
    else:
        msg.set_content(text + "\n\n-- \nsent from my phone\n")
    return bytes(msg)


# ---- text ---------------------------------------------------------------------------------------


_HEADINGS = {"Parameters", "Returns", "Notes", "Attributes", "Raises", "Yields", "Warns", "Methods"}


def _prose(doc: str) -> str:
    """A docstring without its examples, tables and parameter type lines: the English prose."""
    keep = []
    for line in doc.splitlines():
        s = line.strip()
        if s in ("Examples", "See Also", "References") or s.startswith((">>>", "...", "--", "==")):
            if s in ("Examples", "See Also", "References"):
                break
            continue
        if " : " in s and not s.endswith("."):
            continue  # "x : array_like" parameter lines
        if re.match(r"^[\w.]+\(.*\)", s) or s in _HEADINGS:
            continue  # a signature line, or a section heading
        keep.append(s)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(keep)).strip()


@functools.lru_cache(maxsize=1)
def docstring_text(max_chars: int = 400_000) -> str:
    """English prose from NumPy's and scikit-learn's docstrings (present wherever we run).

    Deterministic for given installed versions: public names in sorted order, examples removed.
    """
    import numpy
    import sklearn.linear_model
    import sklearn.naive_bayes

    parts: list[str] = []
    seen: set[int] = set()
    seen_paras: set[str] = set()
    total = 0
    for module in (numpy, numpy.linalg, numpy.random, sklearn.linear_model, sklearn.naive_bayes):
        for name in sorted(n for n in dir(module) if not n.startswith("_")):
            obj = getattr(module, name, None)
            if obj is None or id(obj) in seen:
                continue
            seen.add(id(obj))
            doc = inspect.getdoc(obj) if callable(obj) or inspect.isclass(obj) else None
            if not doc or len(doc) < 200:
                continue
            for para in _prose(doc).split("\n\n"):
                if para and para not in seen_paras:  # ufunc boilerplate repeats a lot
                    seen_paras.add(para)
                    parts.append(para)
                    total += len(para) + 2
            if total > max_chars:
                break
    return "\n\n".join(parts)[:max_chars]


EN_ES_PAIRS = [
    (
        "In a village of La Mancha there lived a gentleman.",
        "En un lugar de la Mancha vivía un hidalgo.",
    ),
    (
        "He had a lance, an old shield, a thin horse and a fast dog.",
        "Tenía una lanza, un escudo antiguo, un caballo flaco y un perro rápido.",
    ),
    ("He read books of chivalry day and night.", "Leía libros de caballerías de día y de noche."),
    ("He lost his mind from so much reading.", "Perdió el juicio de tanto leer."),
    (
        "He decided to become a knight and to travel the world.",
        "Decidió hacerse caballero y recorrer el mundo.",
    ),
    ("His horse was called Rocinante.", "Su caballo se llamaba Rocinante."),
    ("He chose a lady, and her name was Dulcinea.", "Eligió una dama, y su nombre era Dulcinea."),
    ("A poor farmer became his squire.", "Un labrador pobre se hizo su escudero."),
    ("The squire was called Sancho Panza.", "El escudero se llamaba Sancho Panza."),
    (
        "Sancho rode a donkey and carried bread and cheese.",
        "Sancho montaba un asno y llevaba pan y queso.",
    ),
    (
        "In the field they saw thirty or forty windmills.",
        "En el campo vieron treinta o cuarenta molinos de viento.",
    ),
    ("The knight said that they were giants.", "El caballero dijo que eran gigantes."),
    ("Sancho said that they were only windmills.", "Sancho dijo que solo eran molinos de viento."),
    (
        "The wind moved the great arms of the mills.",
        "El viento movió los grandes brazos de los molinos.",
    ),
    ("The knight fell from his horse to the ground.", "El caballero cayó de su caballo al suelo."),
    ("His friend helped him and gave him water.", "Su amigo le ayudó y le dio agua."),
    (
        "They walked along the road until night came.",
        "Caminaron por el camino hasta que llegó la noche.",
    ),
    ("They slept under the trees near a river.", "Durmieron bajo los árboles cerca de un río."),
    (
        "In the morning the sun was bright and the sky was blue.",
        "Por la mañana el sol era brillante y el cielo era azul.",
    ),
    (
        "They arrived at an inn where many people ate and drank.",
        "Llegaron a una venta donde mucha gente comía y bebía.",
    ),
    (
        "The knight thought that the inn was a castle.",
        "El caballero pensó que la venta era un castillo.",
    ),
    ("The owner of the inn laughed at him.", "El dueño de la venta se rió de él."),
    ("Sancho wanted to govern an island.", "Sancho quería gobernar una ínsula."),
    (
        "The knight promised him an island and much gold.",
        "El caballero le prometió una ínsula y mucho oro.",
    ),
    ("A good friend is worth more than money.", "Un buen amigo vale más que el dinero."),
    ("The night was long and the road was hard.", "La noche fue larga y el camino fue duro."),
    (
        "The knight spoke of honour, love and justice.",
        "El caballero habló de honor, amor y justicia.",
    ),
    ("Sancho spoke of food, sleep and his family.", "Sancho habló de comida, sueño y su familia."),
    ("At last they returned home to their village.", "Por fin volvieron a casa, a su lugar."),
    (
        "The knight was tired and old, but his heart was young.",
        "El caballero estaba cansado y viejo, pero su corazón era joven.",
    ),
]

EN_ES_WORDS = [
    ("the", "el"),
    ("the", "la"),
    ("a", "un"),
    ("a", "una"),
    ("and", "y"),
    ("of", "de"),
    ("in", "en"),
    ("to", "a"),
    ("with", "con"),
    ("without", "sin"),
    ("for", "para"),
    ("he", "él"),
    ("she", "ella"),
    ("we", "nosotros"),
    ("they", "ellos"),
    ("you", "tú"),
    ("man", "hombre"),
    ("woman", "mujer"),
    ("child", "niño"),
    ("friend", "amigo"),
    ("knight", "caballero"),
    ("squire", "escudero"),
    ("lady", "dama"),
    ("king", "rey"),
    ("queen", "reina"),
    ("horse", "caballo"),
    ("donkey", "asno"),
    ("dog", "perro"),
    ("cat", "gato"),
    ("house", "casa"),
    ("village", "aldea"),
    ("castle", "castillo"),
    ("inn", "venta"),
    ("road", "camino"),
    ("river", "río"),
    ("tree", "árbol"),
    ("field", "campo"),
    ("island", "ínsula"),
    ("island", "isla"),
    ("sun", "sol"),
    ("moon", "luna"),
    ("sky", "cielo"),
    ("night", "noche"),
    ("day", "día"),
    ("morning", "mañana"),
    ("water", "agua"),
    ("bread", "pan"),
    ("cheese", "queso"),
    ("wine", "vino"),
    ("gold", "oro"),
    ("money", "dinero"),
    ("book", "libro"),
    ("books", "libros"),
    ("world", "mundo"),
    ("wind", "viento"),
    ("windmill", "molino"),
    ("giant", "gigante"),
    ("love", "amor"),
    ("honour", "honor"),
    ("justice", "justicia"),
    ("heart", "corazón"),
    ("family", "familia"),
    ("food", "comida"),
    ("sleep", "sueño"),
    ("war", "guerra"),
    ("peace", "paz"),
    ("time", "tiempo"),
    ("year", "año"),
    ("name", "nombre"),
    ("god", "dios"),
    ("hand", "mano"),
    ("eye", "ojo"),
    ("head", "cabeza"),
    ("word", "palabra"),
    ("truth", "verdad"),
    ("life", "vida"),
    ("death", "muerte"),
    ("good", "bueno"),
    ("bad", "malo"),
    ("big", "grande"),
    ("small", "pequeño"),
    ("old", "viejo"),
    ("young", "joven"),
    ("long", "largo"),
    ("hard", "duro"),
    ("poor", "pobre"),
    ("rich", "rico"),
    ("thin", "flaco"),
    ("fast", "rápido"),
    ("blue", "azul"),
    ("white", "blanco"),
    ("black", "negro"),
    ("red", "rojo"),
    ("green", "verde"),
    ("tired", "cansado"),
    ("happy", "feliz"),
    ("sad", "triste"),
    ("to read", "leer"),
    ("to eat", "comer"),
    ("to drink", "beber"),
    ("to sleep", "dormir"),
    ("to walk", "caminar"),
    ("to speak", "hablar"),
    ("to see", "ver"),
    ("to want", "querer"),
    ("to have", "tener"),
    ("to be", "ser"),
    ("to be", "estar"),
    ("to go", "ir"),
    ("to come", "venir"),
    ("to say", "decir"),
    ("to think", "pensar"),
    ("to give", "dar"),
    ("to fall", "caer"),
    ("to help", "ayudar"),
    ("to laugh", "reír"),
    ("one", "uno"),
    ("two", "dos"),
    ("three", "tres"),
    ("four", "cuatro"),
    ("five", "cinco"),
    ("ten", "diez"),
    ("thirty", "treinta"),
    ("forty", "cuarenta"),
    ("hundred", "cien"),
    ("much", "mucho"),
    ("more", "más"),
    ("only", "solo"),
    ("very", "muy"),
    ("here", "aquí"),
    ("there", "allí"),
    ("today", "hoy"),
    ("tomorrow", "mañana"),
    ("always", "siempre"),
    ("never", "nunca"),
]

# ---- MovieLens ---------------------------------------------------------------------------------

GENRES_100K = [
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
]

MOVIES = [
    ("Toy Story (1995)", "Animation|Children's|Comedy"),
    ("Star Wars (1977)", "Action|Adventure|Romance|Sci-Fi|War"),
    ("The Godfather (1972)", "Action|Crime|Drama"),
    ("Casablanca (1942)", "Drama|Romance|War"),
    ("Pulp Fiction (1994)", "Crime|Drama"),
    ("Fargo (1996)", "Crime|Drama|Thriller"),
    ("Titanic (1997)", "Action|Drama|Romance"),
    ("Jurassic Park (1993)", "Action|Adventure|Sci-Fi"),
    ("The Silence of the Lambs (1991)", "Drama|Thriller"),
    ("Forrest Gump (1994)", "Comedy|Romance|War"),
    ("Schindler's List (1993)", "Drama|War"),
    ("The Lion King (1994)", "Animation|Children's|Musical"),
    ("Aladdin (1992)", "Animation|Children's|Comedy|Musical"),
    ("Beauty and the Beast (1991)", "Animation|Children's|Musical"),
    ("Alien (1979)", "Action|Horror|Sci-Fi|Thriller"),
    ("Aliens (1986)", "Action|Sci-Fi|Thriller|War"),
    ("The Terminator (1984)", "Action|Sci-Fi|Thriller"),
    ("Terminator 2: Judgment Day (1991)", "Action|Sci-Fi|Thriller"),
    ("Back to the Future (1985)", "Comedy|Sci-Fi"),
    ("Raiders of the Lost Ark (1981)", "Action|Adventure"),
    ("Indiana Jones and the Last Crusade (1989)", "Action|Adventure"),
    ("E.T. the Extra-Terrestrial (1982)", "Children's|Drama|Fantasy|Sci-Fi"),
    ("The Shawshank Redemption (1994)", "Drama"),
    ("Braveheart (1995)", "Action|Drama|War"),
    ("Apollo 13 (1995)", "Action|Drama|Thriller"),
    ("Independence Day (1996)", "Action|Sci-Fi|War"),
    ("Men in Black (1997)", "Action|Adventure|Comedy|Sci-Fi"),
    ("Scream (1996)", "Horror|Thriller"),
    ("The Shining (1980)", "Horror"),
    ("Psycho (1960)", "Horror|Romance|Thriller"),
    ("Vertigo (1958)", "Mystery|Thriller"),
    ("Rear Window (1954)", "Mystery|Thriller"),
    ("The Maltese Falcon (1941)", "Film-Noir|Mystery"),
    ("Chinatown (1974)", "Film-Noir|Mystery|Thriller"),
    ("Blade Runner (1982)", "Film-Noir|Sci-Fi"),
    ("The Wizard of Oz (1939)", "Adventure|Children's|Drama|Musical"),
    ("The Sound of Music (1965)", "Musical"),
    ("Singin' in the Rain (1952)", "Musical|Romance"),
    ("When Harry Met Sally... (1989)", "Comedy|Romance"),
    ("Sleepless in Seattle (1993)", "Comedy|Romance"),
    ("Pretty Woman (1990)", "Comedy|Romance"),
    ("Groundhog Day (1993)", "Comedy|Romance"),
    ("Monty Python and the Holy Grail (1974)", "Comedy"),
    ("Annie Hall (1977)", "Comedy|Romance"),
    ("Dances with Wolves (1990)", "Adventure|Drama|Western"),
    ("Unforgiven (1992)", "Western"),
    ("The Good, the Bad and the Ugly (1966)", "Action|Western"),
    ("Butch Cassidy and the Sundance Kid (1969)", "Comedy|Western"),
    ("Hoop Dreams (1994)", "Documentary"),
    ("Crumb (1994)", "Documentary"),
    ("Apocalypse Now (1979)", "Drama|War"),
    ("Platoon (1986)", "Drama|War"),
    ("Full Metal Jacket (1987)", "Action|Drama|War"),
    ("The Usual Suspects (1995)", "Crime|Thriller"),
    ("Se7en (1995)", "Crime|Thriller"),
    ("Heat (1995)", "Action|Crime|Thriller"),
    ("Die Hard (1988)", "Action|Thriller"),
    ("Speed (1994)", "Action|Romance|Thriller"),
    ("Twister (1996)", "Action|Adventure|Thriller"),
    ("The Princess Bride (1987)", "Action|Adventure|Comedy|Romance"),
    ("Willy Wonka and the Chocolate Factory (1971)", "Adventure|Children's|Comedy"),
    ("Mary Poppins (1964)", "Children's|Comedy|Musical"),
    ("Babe (1995)", "Children's|Comedy|Drama"),
    ("Batman (1989)", "Action|Adventure|Crime|Drama"),
    ("Star Trek: First Contact (1996)", "Action|Adventure|Sci-Fi"),
    ("2001: A Space Odyssey (1968)", "Drama|Mystery|Sci-Fi|Thriller"),
    ("Amadeus (1984)", "Drama|Musical"),
    ("Gone with the Wind (1939)", "Drama|Romance|War"),
    ("Lawrence of Arabia (1962)", "Adventure|War"),
    ("Citizen Kane (1941)", "Drama"),
    ("One Flew Over the Cuckoo's Nest (1975)", "Drama"),
    ("Taxi Driver (1976)", "Drama|Thriller"),
    ("Goodfellas (1990)", "Crime|Drama"),
    ("Reservoir Dogs (1992)", "Crime|Thriller"),
    ("Trainspotting (1996)", "Drama"),
    ("The English Patient (1996)", "Drama|Romance|War"),
    ("Sense and Sensibility (1995)", "Drama|Romance"),
    ("Jerry Maguire (1996)", "Drama|Romance"),
    ("Mission: Impossible (1996)", "Action|Adventure|Mystery"),
    ("The Rock (1996)", "Action|Adventure|Thriller"),
]


def movielens_ratings(
    n_users: int = 300, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ratings from a low-rank model over MOVIES: (user, item, rating 1..5, timestamp).

    Each item's factor is its genre vector plus noise; each user likes a few genres; rating =
    round(3.3 + user bias + item bias + <user, item> + noise), clipped to 1..5. Users rate 15-50
    movies, popular ones more often, so the matrix is sparse like the real one.
    """
    rng = np.random.default_rng(seed)
    G = genre_matrix()  # (n_items, 19)
    n_items = len(MOVIES)
    item_f = G.astype(np.float64) + 0.3 * rng.standard_normal(G.shape)
    user_f = np.zeros((n_users, G.shape[1]))
    for u in range(n_users):
        liked = rng.choice(np.arange(1, G.shape[1]), size=3, replace=False)
        user_f[u, liked] = rng.uniform(0.4, 1.0, 3)
        user_f[u, rng.choice(np.arange(1, G.shape[1]), size=2, replace=False)] -= rng.uniform(
            0.3, 0.8, 2
        )
    item_bias = rng.normal(0, 0.4, n_items)
    user_bias = rng.normal(0, 0.3, n_users)
    popularity = np.exp(item_bias * 2)
    popularity /= popularity.sum()
    users, items = [], []
    for u in range(n_users):
        k = int(rng.integers(15, 51))
        chosen = rng.choice(n_items, size=k, replace=False, p=popularity)
        users.append(np.full(k, u))
        items.append(np.sort(chosen))
    user = np.concatenate(users).astype(np.int64)
    item = np.concatenate(items).astype(np.int64)
    score = 3.3 + user_bias[user] + item_bias[item] + np.sum(user_f[user] * item_f[item], axis=1)
    rating = np.clip(np.round(score + rng.normal(0, 0.5, len(user))), 1, 5).astype(np.float32)
    timestamp = (874_724_710 + rng.integers(0, 18_000_000, len(user))).astype(np.int64)
    return user, item, rating, timestamp


def genre_matrix() -> np.ndarray:
    G = np.zeros((len(MOVIES), len(GENRES_100K)), np.uint8)
    for i, (_, genres) in enumerate(MOVIES):
        for g in genres.split("|"):
            G[i, GENRES_100K.index(g)] = 1
    return G


# ---- tables ------------------------------------------------------------------------------------


def breast_cancer_outliers(
    n_outliers: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """scikit-learn's breast cancer data as an outlier table: all benign + `n_outliers` malignant.

    This is the recipe ODDS used for its `wbc` table (357 benign + 21 malignant). y: 1 = malignant.
    """
    from sklearn.datasets import load_breast_cancer

    d = load_breast_cancer()
    benign = np.flatnonzero(d.target == 1)
    malignant = np.flatnonzero(d.target == 0)
    pick = np.sort(np.random.default_rng(seed).choice(malignant, n_outliers, replace=False))
    rows = np.concatenate([benign, pick])
    y = np.concatenate([np.zeros(len(benign)), np.ones(n_outliers)]).astype(np.int64)
    return d.data[rows].astype(np.float64), y, [str(n) for n in d.feature_names]


def gaussian_signal(
    n: int, n_features: int, signal_fraction: float, shift: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Background ~ N(0, I); signal shifted by `shift` along the last third of the features."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < signal_fraction).astype(np.int64)
    X = rng.standard_normal((n, n_features))
    X[y == 1, -(n_features // 3) :] += shift
    return X, y
