# %% [markdown]
# # Solutions · 02 · Mentimeter moments

# %%
from collections import Counter

from mltutorial.exercises import live as ex


# %%
def word_counts(answers):
    return dict(Counter(a.strip().casefold().strip(".,;:!?").strip() for a in answers))


assert ex.check_word_counts(word_counts)

# %% [markdown]
# **2.** Linear in the time taken, clipped to [0, limit]: 1000 − 500·min(elapsed/limit, 1).


# %%
def quiz_points(correct, elapsed_s, time_limit_s):
    if not correct:
        return 0
    frac = min(max(elapsed_s / time_limit_s, 0.0), 1.0)
    return round(1000 - 500 * frac)


assert ex.check_quiz_points(quiz_points)
