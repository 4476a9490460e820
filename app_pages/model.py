from app_pages.ui import page_model

page_model()
