"""Day-to-day operations of a programme: inquiries and their pipeline, follow-up of members'
projects, monthly meetups, desks in shared offices, spreadsheet import and export."""
