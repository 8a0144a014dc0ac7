"""Integrations: the shop's conversations with other systems, a leaf on the event backbone.

Outgoing webhooks (webhooks.py, handlers.py) tell an order management system, a logistics
system or anything else that subscribed what happened, signed as Standard Webhooks says;
incoming endpoints (incoming/) let them report back, and change the shop only through the flow
apps' services. No flow app imports this one.
"""
