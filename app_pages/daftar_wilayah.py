from app_pages.ui import page_regions

page_regions()
