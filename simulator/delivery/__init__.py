"""How an answer was delivered: pace, fillers, hedges, pauses and timing."""
