"""The phrases the delivery coach counts by default (config can replace them)."""

#: Filler phrases counted besides um, uh, er and hmm ('like' only as a filler).
FILLER_PHRASES = ("you know", "i mean", "sort of", "kind of", "basically", "actually",
                  "anyway", "like")
#: Phrases that soften a claim.
HEDGE_PHRASES = ("i think maybe", "i guess", "i'm not sure", "i am not sure", "probably",
                 "i suppose", "kind of maybe", "i don't know", "i do not know", "perhaps")
