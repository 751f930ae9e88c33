from django.contrib import admin

from ipoc.risk.models import LitigationCase, RiskAlert, RiskCheck, RiskReport, SupplyReview

admin.site.register(RiskCheck)
admin.site.register(RiskReport)
admin.site.register(RiskAlert)
admin.site.register(LitigationCase)
admin.site.register(SupplyReview)
