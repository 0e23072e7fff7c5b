"""RSO records, convictions and the notification law, civil orders, allocation under the
20% high-risk cap, and the deadlines store.
"""
