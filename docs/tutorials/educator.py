# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Educator: a session with the app's stories
#
# This page plans a 30-minute session for a room of managers or a peer-workforce course,
# with the app (`lewsim app`, then open the address it prints) on a projector. It walks
# through two of the app's stories, what to show at each step and what to ask the room.
#
# **The pictures are the app's own**, drawn by the build with the same functions the app
# uses (`simulation.app.views`), from the same story, seed and months as the steps below,
# rather than screenshots of a browser. **Sizes are small** so that the page builds in
# seconds: 12 organisations of about 40 staff (the app's levers default to the full
# sector; set **Number of organisations** in the sidebar to match this page, or keep the
# default: the story is the same, the counts larger).

# %%
from IPython.display import Image, display

from simulation.app.classroom import ClassroomModel
from simulation.app.stories import STORIES
from simulation.app.views import network_png, sector_png, time_series_png

SMALL = {"n_orgs": 12, "mean_org_size": 40.0}


def run_to(model: ClassroomModel, month: int) -> None:
    """Press Step until the model reaches `month`, then say where it is, as the app does."""
    while model.month < month:
        model.step()
    print(model.counts_sentence())


for name, story in STORIES.items():
    print(f"{name}: {story.title}")

# %% [markdown]
# ## Story 1: the lone champion who leaves
#
# In the sidebar choose the story **The lone champion who leaves**, seed **1**, and press
# **Reset**. Every organisation starts with one champion, an executive, and no other (more
# may emerge later, as managers' commitment grows). The outside world (funding and policy
# pressure) is held at its 2017-18 level, so that what moves is the organisations' own
# story.

# %%
model = ClassroomModel(story="lone-champion", rng=1, **SMALL)
print(STORIES["lone-champion"].scenario().description)
run_to(model, 0)
display(Image(network_png(model)))

# %% [markdown]
# **Show** the network: the executive team at the top, the champion as a star. Colour is
# the kind of staff; a solid dot is high commitment, a faint one low.
#
# **Ask the room:** *In your organisation, who would this star be? What would change if
# they were not there?*
#
# Press **▶** and pause at month 48, just before the champion leaves.

# %%
run_to(model, 48)
display(Image(network_png(model)))
display(Image(time_series_png(model)))

# %% [markdown]
# **Ask the room:** *The peer workforce has grown for four years. The champion is about to
# move on. What do you expect to happen to hiring, and to managers' commitment?* Write the
# room's guesses down before pressing Play again.

# %%
run_to(model, 120)
display(Image(time_series_png(model)))
display(Image(sector_png(model)))

# %% [markdown]
# The dashed line at month 48 marks the champion leaving. **Ask the room:** *Did growth
# stop? Why not at once?* Commitment drifts rather than falls: the people the champion
# convinced are still there, but no one pushes. *Where in your organisation does
# commitment rest on one person? What would keep it when they leave?*
#
# To see the other path, press **Reset**, step to month 48 and press **Appoint a
# champion** before going on: the counts at month 120 differ, on the same seed.

# %% [markdown]
# ## Story 2: the unexposed organisation
#
# Choose **The unexposed organisation**, seed **1**, **Reset**. An isolated corner of the
# sector: no visits, little policy push, no copying of neighbours. The organisation on
# screen has never had a peer worker. At month 36 a visits programme reaches the
# organisations that have never had peers.

# %%
model = ClassroomModel(story="unexposed", rng=1, **SMALL)
model.shade_by = "commitment"
run_to(model, 36)
display(Image(network_png(model)))

# %% [markdown]
# **Ask the room:** *Three years, and nothing has moved. Why would managers who have never
# worked with a peer worker not create a post?* (The study's title: "you don't know what
# you don't know".)

# %%
run_to(model, 120)
display(Image(network_png(model)))
display(Image(time_series_png(model)))

# %% [markdown]
# **Ask the room:** *What did the visits change first: the number of peer workers, or
# managers' commitment?* Shade by commitment to see it spread from the managers who
# visited. *Who could your managers visit?*
#
# ## After the session
#
# The app's second page explains each kind of staff, lever and button, and the finding of
# the study it reflects. [The app in a classroom](../how-to/classroom.md) covers serving
# the app to a room's network, and the third story (an LE leader) is there for a longer
# session.
