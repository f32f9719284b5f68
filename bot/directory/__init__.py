"""The commune's directory as a spreadsheet: template, import (validate all, then one transaction), export."""
