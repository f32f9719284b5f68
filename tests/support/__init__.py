"""Shared fakes (platform servers, clock), harnesses and data builders for the tests."""
