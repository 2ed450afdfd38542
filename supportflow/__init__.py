"""supportflow: investigate technical support tickets before anyone answers them."""

__version__ = "0.1.0"
