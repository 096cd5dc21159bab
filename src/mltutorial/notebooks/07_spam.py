# %% [markdown]
# # 07 · Gmail's anti-spam: one neuron against spam
#
# > **Slide:** "Gmail — Anti-spam algorithms — Spam / Non-spam"
#
# The real SMS Spam Collection (5,574 messages, 747 spam) when `MLTUTORIAL_DATA` points to it,
# or a labelled built-in sample. Each message becomes TF-IDF numbers (scikit-learn: not what the talk
# teaches), and **one neuron on the engine**, p(spam) = σ(w·x + b), learns to tell spam from ham.
# Then it reads your own messages.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split

from mltutorial import engine
from mltutorial.data import load_sms_spam
from mltutorial.engine import optim
from mltutorial.engine.nn import functional as F

QUICK = os.environ.get("MLTUTORIAL_QUICK") == "1"
# %matplotlib inline

# %%
sms = load_sms_spam()
print("data:", sms.info.label, "|", len(sms.texts), "messages,", int(sms.y.sum()), "spam")
texts_train, texts_test, y_train, y_test = train_test_split(
    sms.texts, sms.y, test_size=0.25, random_state=0, stratify=sms.y
)
tfidf = TfidfVectorizer(max_features=3000, sublinear_tf=True)
X_train = tfidf.fit_transform(texts_train).toarray().astype(np.float32)  # (n, 3000)
X_test = tfidf.transform(texts_test).toarray().astype(np.float32)
print(X_train.shape)

# %% [markdown]
# ## One neuron, trained by gradient descent on the engine
# The loss is the binary cross-entropy of σ(Xw + b) (the slide's ½‖h − y‖² works too, but learns
# slower on a confident mistake). Edit `lr` and `num_epochs`.

# %%
engine.manual_seed(0)
w = engine.zeros(X_train.shape[1], requires_grad=True)
b = engine.zeros(1, requires_grad=True)
opt = optim.SGD([w, b], lr=20.0, momentum=0.9)
X_t, y_t = engine.tensor(X_train), engine.tensor(y_train.astype(np.float32))
losses = []
for _ in range(40 if QUICK else 150):
    loss = F.binary_cross_entropy_with_logits(X_t @ w + b, y_t)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
plt.plot(losses)
plt.xlabel("step")
plt.ylabel("cross-entropy")
plt.show()


def p_spam(X):
    with engine.no_grad():
        return (engine.tensor(X) @ w + b).sigmoid().numpy()


y_hat = (p_spam(X_test) > 0.5).astype(int)
print(
    f"test accuracy {np.mean(y_hat == y_test):.1%}; always 'ham' would get {1 - y_test.mean():.1%}"
)

# %% [markdown]
# ## What the neuron learned: the words that push towards spam and towards ham

# %%
words = np.array(tfidf.get_feature_names_out())
weights = w.detach().numpy()
print("spam:", ", ".join(words[np.argsort(-weights)[:12]]))
print("ham: ", ", ".join(words[np.argsort(weights)[:12]]))

# %% [markdown]
# ## Use it: your own messages

# %%
mine = [
    "WINNER!! You have been selected for a FREE prize. Call now to claim",
    "Are we still on for dinner tonight? I can bring dessert",
    "URGENT: your account is suspended, reply with your PIN",
]
for text, p in zip(mine, p_spam(tfidf.transform(mine).toarray().astype(np.float32))):
    print(f"{'spam' if p > 0.5 else 'ham '} {p:.3f}  {text}")

# %% [markdown]
# ## Exercises
# Accuracy hides the point when only 13% of messages are spam. Write the spam class's numbers.
#
# **1.** Precision and recall of the spam class (label 1).

# %%
from mltutorial.exercises import spam as ex


def precision_recall(y, y_hat): ...  # your code here: return (precision, recall)


ex.check_precision_recall(precision_recall)

# %% [markdown]
# **2.** The F1 score of the spam class. Then compute your neuron's: `f1(y_test, y_hat)`.


# %%
def f1(y, y_hat): ...  # your code here


ex.check_f1(f1)
