"""Norwegian NLP assistance (spaCy). Empty until the NLP issue; nothing else may import spaCy."""
