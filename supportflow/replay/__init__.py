"""`supportflow replay`: what a candidate domain folder would have decided on past tickets."""
