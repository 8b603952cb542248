"""The regulators' door: screens for agencies, licences, complaints, sanctions, ad clearances, data and
accounts. Every write goes through registry.services."""
from .agencies import bp as agencies
from .clearances import bp as clearances
from .dashboard import bp as dashboard
from .data import bp as data
from .people import bp as people
from .records import bp as records

blueprints = (dashboard, agencies, records, clearances, data, people)
