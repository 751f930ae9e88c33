from django.contrib import admin

from ipoc.events.models import Event, EventOutcome, EventRegistration


class RegistrationInline(admin.TabularInline):
    model = EventRegistration
    extra = 0
    raw_id_fields = ("organization", "registered_by")


class OutcomeInline(admin.TabularInline):
    model = EventOutcome
    extra = 0
    raw_id_fields = ("party_a", "party_b", "created_by")
    exclude = ("patents",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "organizer", "held_on", "status")
    list_filter = ("kind", "status")
    search_fields = ("title", "description", "place")
    raw_id_fields = ("organizer", "created_by", "patents", "demands")
    inlines = [RegistrationInline, OutcomeInline]
