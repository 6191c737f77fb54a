""" "Stay tuned": e-mail subscriptions to thematic areas, with double opt-in and one-click unsubscribe."""
