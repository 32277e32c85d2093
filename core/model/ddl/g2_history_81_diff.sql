ALTER TABLE dbo.ChangeRecord ADD CorrelationId uniqueidentifier NULL;
GO
CREATE INDEX IX_ChangeRecord_CorrelationId ON dbo.ChangeRecord (CorrelationId);
