from django.contrib import admin

from ipoc.matching.models import ChainNode, Listing, Match, MatchRun, RankingModel

admin.site.register(Listing)
admin.site.register(ChainNode)
admin.site.register(MatchRun)
admin.site.register(RankingModel)


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ("demand", "patent", "rank", "score", "status", "decided_by")
    list_filter = ("status",)
    raw_id_fields = ("demand", "patent", "run", "decided_by")
