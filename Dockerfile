# Build: the SDK image restores and publishes the worker.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Worker/Worker.csproj src/Worker/
RUN dotnet restore src/Worker/Worker.csproj
COPY src/ src/
COPY appsettings.json ./
RUN dotnet publish src/Worker/Worker.csproj -c Release -o /app --no-restore

# Run: the ASP.NET runtime image. Its Debian/Ubuntu flavour carries ICU and tzdata, which IANA time
# zones in the job catalogue need, so globalization stays on (never the invariant mode).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false \
    DOTNET_ENVIRONMENT=Production \
    ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS=8080
WORKDIR /app
COPY --from=build /app ./
COPY appsettings.json ./
COPY supabase/ ./supabase/
COPY jobs/ ./jobs/
# The image's unprivileged user; the worker needs no write access to /app.
USER $APP_UID
# Orchestrators probe /health/live and /health/ready on this port (the image has no curl for a HEALTHCHECK).
EXPOSE 8080
ENTRYPOINT ["dotnet", "Worker.dll"]
