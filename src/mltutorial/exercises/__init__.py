"""Exercises that check themselves: one module per chapter notebook, one `check_*` per exercise.

Each check calls the learner's answer on inputs of its own, compares with a reference the way
CS231n's notebooks do (a tolerance, never an exact float), prints "✓ right" or "✗ wrong: <hint>",
and returns True or False. A check never raises: an answer that raises or returns the wrong type
is a wrong answer with a hint. Worked solutions: `notebooks/solutions/` (`mltutorial notebooks`).

    from mltutorial.exercises import neuron
    neuron.check_sigmoid_derivative(my_sigmoid_derivative)
"""

CHAPTERS = [
    "live",
    "vision",
    "galaxies",
    "anomaly",
    "rl",
    "spam",
    "recommend",
    "translate",
    "gw",
    "textgen",
    "neuron",
    "gradient_descent",
    "worst_case",
    "networks",
    "convolution",
    "universal_approximation",
    "complexity",
    "practice",
    "software",
]
