"""policykg: Chinese government reply letters → evidence-backed RDF knowledge graph."""

__version__ = "0.1.0"
