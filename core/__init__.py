"""The vocabulary the whole program speaks: messages, i18n, roles, Vietnamese parsing, menus.

The ground floor: it imports nothing else of the project.
"""
