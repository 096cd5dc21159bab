"""`mltutorial present`: the talk's slides in the browser, figures computed, the audience inside.

present/ composes live/ (the audience server) and the tour's output (figures, numbers): `slides`
parses the Markdown slides file, `report` reads a tour report folder and computes what it lacks,
`render` turns a slide into HTML, `app` adds the slides' routes to the live server, `handout`
writes the talk with the room's answers as one HTML file, `cli` is the command.
"""
