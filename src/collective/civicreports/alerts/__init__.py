"""Area alerts: anyone may ask by e-mail for the new public reports near a
point or of a category; the address is kept once its owner confirms it,
and every alert carries the link that stops them."""
