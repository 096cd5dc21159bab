# %% [markdown]
# # 02 · Mentimeter moments: a live audience server
#
# > **Slide:** "Mentimeter code: 6471 8286 ... What is Machine Learning? 37 answers"
#
# The talk opens by asking the room "What is Machine Learning?" and showing the answers as a word
# cloud. `mltutorial live` is that, self-hosted: phones join with an 8-digit code, answers go into
# a database, the projector shows the cloud, then a quiz with a leaderboard. Here you drive its store
# directly, in-process, with no web server: you are the audience.

# %%
import random

import matplotlib.pyplot as plt

from mltutorial.live.deck import load_deck
from mltutorial.live.store import Store, Submission
from mltutorial.live.text import format_code

# %matplotlib inline

# %%
deck = load_deck()  # the talk's own questions
for i, q in enumerate(deck.questions):
    print(i, q.type, "|", q.prompt)
store = Store()  # SQLite in memory; `mltutorial live --db ...` keeps it in a file or PostgreSQL
session = store.create_session(deck)
print("join code:", format_code(session.code))

# %% [markdown]
# ## The room answers the first question (edit the answers: add your own)

# %%
answers = {
    "Ada": ["data", "patterns"], "Alan": ["Data", "statistics"], "Grace": ["DATA!", "AI"],
    "Marie": ["learning from data"], "Emmy": ["prediction", "maths"], "Kurt": ["magic"],
    "you": ["optimisation", "data"],
}  # fmt: skip
people = store.join_many([(session.session_id, name) for name in answers])
acks = store.submit_many(
    Submission(p.id, session.session_id, 0, words=answers[name]) for p, name in zip(people, answers)
)
print([a.status for a in acks])
cloud = store.results(session.session_id, 0)
print(cloud.count, "answers:", cloud.words)

# %%
words, counts = zip(*cloud.words[:12])
plt.barh(words[::-1], counts[::-1])
plt.xlabel("people who gave it")
plt.title(deck.questions[0].prompt)
plt.show()

# %% [markdown]
# ## The final quiz: faster right answers score more

# %%
rng = random.Random(0)
for index in (2, 3, 4):
    state = store.act(session.session_id, "goto", index=index)
    q = deck.questions[index]
    store.submit_many(
        Submission(p.id, session.session_id, index,
                   choice=q.correct if rng.random() < 0.7 else (q.correct + 1) % len(q.options),
                   received_at=state.opened_at + rng.uniform(1, q.time_limit))
        for p in people
    )  # fmt: skip
    store.act(session.session_id, "reveal")
for row in store.leaderboard(session.session_id):
    print(f"{row.rank}. {row.nickname:6} {row.points:5d} points, {row.correct} right")
store.close()

# %% [markdown]
# ## Exercises
# **1.** Count a word cloud the way the server does (the basic part): one word however it is typed.

# %%
from mltutorial.exercises import live as ex


def word_counts(answers): ...  # your code here: a dict word -> count


ex.check_word_counts(word_counts)

# %% [markdown]
# **2.** The quiz's points for one answer, as the leaderboard above computed them.


# %%
def quiz_points(correct, elapsed_s, time_limit_s): ...  # your code here


ex.check_quiz_points(quiz_points)
